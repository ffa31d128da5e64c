"""Beat sends the schedule once however many beats run (issue 19, greenlist/beat.py): real Redis."""

import time

from celery import current_app

from greenlist.beat import SingleBeatScheduler, lock_key


def scheduler(tmp_path, name: str) -> SingleBeatScheduler:
    beat = SingleBeatScheduler(app=current_app, schedule_filename=str(tmp_path / name), lazy=False)
    # Only a task due at every tick, to see who sends. The platform's own entries are left out: a beat
    # sends one due task per tick, and when a run crossed a crontab boundary (several sweeps due at
    # :00, :10...) they took the ticks this test gives the second beat (seen once in a full run).
    beat.schedule.clear()
    beat.add(name="every-tick", task="core.tasks.heartbeat", schedule=0.01)
    return beat


def runs(beat: SingleBeatScheduler) -> int:
    return beat.schedule["every-tick"].total_run_count


def test_a_second_beat_stands_by_until_the_first_stops_or_dies(tmp_path):
    current_app.control.purge()
    first, second = scheduler(tmp_path, "first"), scheduler(tmp_path, "second")
    third = None
    try:
        assert first.tick() <= SingleBeatScheduler.LOCK_SECONDS / 3
        time.sleep(0.05)
        first.tick()
        assert runs(first) >= 1
        # the second beat sends nothing while the first holds the lock
        for _ in range(3):
            assert second.tick() == SingleBeatScheduler.STANDBY_SECONDS
        assert runs(second) == 0

        # the first stops: the second takes over at its next tick
        first.close()
        second.tick()
        time.sleep(0.05)
        second.tick()
        assert runs(second) >= 1

        # the second dies without releasing (its lock lapses): a new beat takes over then, not before
        third = scheduler(tmp_path, "third")
        assert third.tick() == SingleBeatScheduler.STANDBY_SECONDS
        second._redis.pexpire(lock_key(), 1)
        time.sleep(0.05)
        third.tick()
        time.sleep(0.05)
        third.tick()
        assert runs(third) >= 1
        # and the dead one, coming back, does not steal it
        assert second.tick() == SingleBeatScheduler.STANDBY_SECONDS
    finally:
        for beat in (first, second, third):
            if beat is not None:
                beat.close()
        current_app.control.purge()
