import pytest

# The checks live beside the test; pytest explains a failed assert only in modules it rewrites.
pytest.register_assert_rewrite("tests.crash.invariants", "tests.crash.journeys")
