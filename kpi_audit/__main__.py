from kpi_audit.cli.app import main

main()
