"""planqa web app entry point: ``python app.py [--host ...] [--port ...]`` (see ``--help``).

The app itself lives in ``qa.web.app``; this file only starts it.
"""

import sys

from qa.web.app import main

if __name__ == "__main__":
    sys.exit(main())
