"""python -m gradcalc"""

from .cli import main

main(prog_name="gradcalc")
