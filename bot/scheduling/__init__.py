"""When things happen: programme cadences, the scheduler inside `crossties serve`, and the
per-programme lock that makes a round run once however many times it is triggered.

Kept import-light on purpose: the use cases import `bot.scheduling.locks`.
"""
