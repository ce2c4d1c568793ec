from govcat.cli import main

main()
