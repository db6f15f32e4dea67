from phonograph.cli import main

main()
