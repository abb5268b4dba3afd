"""The Voilà app: login, home, form pages and the analysts' desk (thin notebooks call these)."""
from .pages import desk_page, form_page, home_page, show_page

__all__ = ["home_page", "form_page", "desk_page", "show_page"]
