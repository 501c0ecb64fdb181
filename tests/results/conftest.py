"""The demo installation of tests/evaluation (its accounts, history and computed results at DEMO_LOADED), shared
rather than copied: the rendered-figures test reads the same demo the annual report's tests read."""

from tests.evaluation.conftest import demo_office, demo_plan, media  # noqa: F401  (fixtures)
