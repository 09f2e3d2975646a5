"""The policy room: read YAML policies, validate them into a `PolicySet`, explain what is wrong.

Every problem becomes ``file:line:col: field.path: message (hint: ...)``; see `loader` for the
order of work, `positions` for where a problem points, `checks` for the rules that span fields
and files, and `schema` for the JSON Schema editors use.
"""

from agent.policy.loader import digest, load_policies
from agent.policy.schema import policy_schema
from agent.policy.summary import describe

__all__ = ["describe", "digest", "load_policies", "policy_schema"]
