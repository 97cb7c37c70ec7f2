"""Writes of this app: typed functions named <entity>_<action>.

One submodule per part; every public name is re-exported here, so callers keep writing
`from governance import services`.
"""

from governance.services.maturity import (
    maturity_assessment_record,
    maturity_target_set,
    maturity_weights_set,
)

__all__ = ["maturity_assessment_record", "maturity_target_set", "maturity_weights_set"]
