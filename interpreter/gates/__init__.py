"""The gate workflow: the durable queue and slots of one flow-control key (``docs/flow-control.md``)."""
