"""The shared core every resource uses: client, settings, waiter, host pool, errors."""
