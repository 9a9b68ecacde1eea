from newsflow_shared.cli import main

main()
