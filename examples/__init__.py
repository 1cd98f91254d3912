"""Examples of product code that plugs into Relay (see ``examples/README.md``)."""
