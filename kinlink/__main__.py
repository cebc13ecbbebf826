import sys

from kinlink.cli import main

sys.exit(main())
