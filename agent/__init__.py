"""coretime-agent: keeps Polkadot parachains supplied with coretime, driven by YAML policies."""

__version__ = "0.1.0"
