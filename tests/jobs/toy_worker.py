"""``riskshare worker`` with the plugins the core's test app has (the toy policy, registered
directly as tests/conftest.py does), so jobs about toy programs ask the toy policy."""

import toy_policy
from riskshare.app import create_app
from riskshare.jobs.worker import run_worker

if __name__ == "__main__":
    run_worker(create_app(extra_plugins=[("toy", toy_policy)]))
