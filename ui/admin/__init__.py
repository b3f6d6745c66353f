"""Administrator screens: accounts, audit log, adapter plugins."""
