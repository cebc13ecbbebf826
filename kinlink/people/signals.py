"""Signals other apps subscribe to, so that people never imports them (tracing matches new
persons against open enquiries by listening here)."""

from django.dispatch import Signal

# Sent after a person was created or changed (names included), inside the transaction.
# Arguments: person, created (bool).
person_changed = Signal()

# Sent after `merged` was folded into `survivor`. Arguments: survivor, merged, merge.
person_merged = Signal()

# Sent after a merge was undone (`merged` stands on its own again). Arguments: survivor,
# merged, merge. Apps that followed the merge put back what they moved.
person_unmerged = Signal()
