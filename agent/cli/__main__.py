"""`python -m agent.cli` runs the command line."""

from agent.cli import main

raise SystemExit(main())
