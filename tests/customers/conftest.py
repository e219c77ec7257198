from tests.tracking.conftest import track

__all__ = ["track"]
