# Thin wrapper for those who have make; tasks.py needs only Python 3.11+.
.PHONY: plan test
plan:
	python3 tasks.py plan
test:
	python3 tasks.py test
