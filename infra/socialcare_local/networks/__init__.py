"""One simulator per network, each an HTTP server on localhost that follows the network's official
description (../shared/specs), so the adapters' real `requests` code path runs against it."""
