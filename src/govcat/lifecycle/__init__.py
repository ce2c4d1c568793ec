"""The standard's lifecycle: comparing versions (`govcat diff`), their impact on the catalogs,
releases (`govcat release`) and migrating catalogs between versions (`govcat migrate`)."""
