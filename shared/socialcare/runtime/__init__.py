"""What a Lambda invocation needs around the domain: settings, logging, secrets, wiring."""
