import sys

from hms_desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
