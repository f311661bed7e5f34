"""The detection demo (``tools/demo_detection.py``): what CLIM does in each detector family.

On a generated world (:mod:`.world`) every family of :mod:`.families` trains its arms (configs in
``configs/demo/``) for several seeds, in worker processes (:mod:`.tasks`), and the results become
one table and one picture per family (:mod:`.report`, :mod:`.picture`), next to direct measures of
each mechanism (:mod:`.mechanisms`). Nothing here registers modules; the configs import the
detector code they need.
"""
