"""Portal pages. Thin: parse the form, call another app's service or selector, render.

Access: `portal_page(roles)` signs the user in and checks the role; every page that shows a
patient's data gets the patient from `hms.patients.access` (scoped and audited there).
"""

from hms.web.views.public import home, sign_in, sign_out

__all__ = ["home", "sign_in", "sign_out"]
