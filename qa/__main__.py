import sys

from qa.cli import main

sys.exit(main(whole_process=True))
