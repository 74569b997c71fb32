"""Identity without knowing who: hashing now; sessions and the user loader later."""
