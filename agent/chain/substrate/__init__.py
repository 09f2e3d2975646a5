"""The chain port over real nodes: py-substrate-interface, resolved by metadata name throughout."""

from agent.chain.substrate.chain import SubstrateChain
from agent.chain.substrate.submit import SubmitSettings

__all__ = ["SubmitSettings", "SubstrateChain"]
