"""ipywidgets controls that render form templates (no pandas, no Excel here)."""
from .criterion import CriterionControl
from .field_control import FieldControl
from .form import FormView, UserFacingError
from .repeat import RepeatControl

__all__ = ["FormView", "UserFacingError", "FieldControl", "CriterionControl", "RepeatControl"]
