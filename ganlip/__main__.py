from ganlip.cli import main

main()
