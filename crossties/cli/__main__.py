from crossties.cli.main import main

main()
