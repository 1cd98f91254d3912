"""The worker process: connects to Temporal and registers the interpreter workflow and every action.

``worker.build.build_worker`` only wires; ``worker.main`` runs one worker until SIGINT/SIGTERM
(``relay worker``). Start any number of them on the same task queue.
"""
