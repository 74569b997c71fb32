"""enrollment/policy.py: the username and password policy, as pure functions."""
import pytest

from enrollment import policy
from enrollment.policy import Limits, check_password, check_username, normalise_answer

LIMITS = Limits()
GOOD_PASSWORD = "purple giraffes dance at noon"


def codes(problems) -> list:
    return [code for code, _params in problems]


# --- Username ---------------------------------------------------------------------------

def test_default_limits_are_the_issue_figures():
    assert (LIMITS.username_min, LIMITS.username_max) == (6, 50)
    assert (LIMITS.password_min, LIMITS.password_max) == (12, 128)


@pytest.mark.parametrize("username", [
    "abcdef", "a" * 50, "Maria.Delgado", "maria_d", "maria-d", "maria@example.org",
    "M4r14D84", "123456", "._-@.a",
])
def test_username_accepted(username):
    assert check_username(username, LIMITS) == []


@pytest.mark.parametrize("username", ["", "a", "abcde", "a" * 51, "b" * 200])
def test_username_length_refused(username):
    problems = check_username(username, LIMITS)
    assert ("username_length", {"min": 6, "max": 50}) in problems


@pytest.mark.parametrize("username", [
    "maria d", "maria!d", "maria#1", "maria/d", "maría_d", "marïa.d", "maria\x00d",
    "maria\td", "maria+d1", "用户名用户名", "maria😀d",
])
def test_username_characters_refused(username):
    assert "username_chars" in codes(check_username(username, LIMITS))


def test_username_both_problems_reported():
    assert codes(check_username("a b", LIMITS)) == ["username_length", "username_chars"]


def test_username_limits_come_from_configuration():
    limits = Limits(username_min=3, username_max=8)
    assert check_username("abc", limits) == []
    assert codes(check_username("abcdefghi", limits)) == ["username_length"]


def test_normalise_username_lowers_and_trims():
    assert policy.normalise_username("  MariaD84 ") == "mariad84"


# --- Password length and characters ------------------------------------------------------

def test_password_too_short():
    assert check_password("a" * 11 + "z", LIMITS) == []  # 12 is enough
    assert check_password("qZ8!vT2#pL0", LIMITS) == [("password_short", {"min": 12})]


def test_password_128_accepted_129_refused():
    base = "tall ships sail past the harbour lights "
    long128 = (base * 4)[:128]
    assert len(long128) == 128
    assert check_password(long128, LIMITS) == []
    assert check_password(long128 + "x", LIMITS) == [("password_long", {"max": 128})]


@pytest.mark.parametrize("password", [
    "château d'eau très haut",          # accents and spaces
    "   leading and trailing   ",       # spaces kept as typed
    "🦊🦊 fox in the 🌲 forest 🦊",      # emoji
    "пароль из шести слов тут",         # Cyrillic
    "東京の夜景はとてもきれいです",           # CJK, 14 characters
    "ALL CAPS NO DIGITS HERE",          # no composition rules
    "nouppercaseordigitsatall",
])
def test_any_unicode_and_spaces_accepted(password):
    assert len(password) >= 12
    assert check_password(password, LIMITS) == []


def test_length_counts_characters_not_bytes():
    emoji = "🦊" * 12   # 48 bytes in UTF-8, 12 characters
    assert check_password(emoji, LIMITS) == []
    assert codes(check_password("🦊" * 11, LIMITS)) == ["password_short"]


# --- Common passwords --------------------------------------------------------------------

def test_common_list_is_large_and_offline():
    common = policy.common_passwords()
    assert len(common) >= 10_000
    assert "password" in common and "123456" in common


def long_common_passwords() -> list:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS
    return [p for p in FREQUENCY_LISTS["passwords"] if len(p) >= 12][:5]


def test_there_are_long_common_passwords_to_test_with():
    assert len(long_common_passwords()) == 5


@pytest.mark.parametrize("password", long_common_passwords())
def test_common_password_refused(password):
    assert "password_common" in codes(check_password(password, LIMITS))


@pytest.mark.parametrize("password", ["LeaveMeAlone", "LEAVEMEALONE", "leavemealone",
                                      "FinalFantasy", "SonyEricsson"])
def test_common_password_refused_whatever_the_case(password):
    assert password.lower() in policy.common_passwords()
    assert codes(check_password(password, LIMITS)) == ["password_common"]


def test_uncommon_password_of_common_words_accepted():
    assert check_password("leave me alone in the garden", LIMITS) == []


# --- Password against username, name, practice -----------------------------------------

def test_password_containing_username_refused():
    problems = check_password("mariad84 likes tea", LIMITS, username="mariad84")
    assert codes(problems) == ["password_username"]


def test_password_containing_username_refused_whatever_the_case():
    problems = check_password("I am MARIAD84 indeed", LIMITS, username="mariad84")
    assert "password_username" in codes(problems)


def test_password_without_username_accepted():
    assert check_password(GOOD_PASSWORD, LIMITS, username="mariad84") == []


@pytest.mark.parametrize("password", [
    "maria sings every morning", "the DELGADO family home", "xxmariaxx and more",
])
def test_password_containing_a_name_part_refused(password):
    problems = check_password(password, LIMITS, names=("Maria", "", "Delgado"))
    assert codes(problems) == ["password_name"]


def test_name_parts_fold_accents_both_ways():
    # An accented name and a plain password...
    assert "password_name" in codes(check_password("jose goes fishing", LIMITS,
                                                   names=("José", "", "Ruiz")))
    # ...and a plain name and an accented password.
    assert "password_name" in codes(check_password("JOSÉ goes fishing", LIMITS,
                                                   names=("Jose", "", "Ruiz")))


def test_name_parts_split_on_hyphens_and_apostrophes():
    names = ("Anne-Marie", "", "O'Brien")
    assert policy.name_parts(*names) == ["anne", "marie", "brien"]
    assert "password_name" in codes(check_password("marie curie was here", LIMITS,
                                                   names=names))


def test_two_letter_name_part_allowed():
    assert policy.name_parts("Al", "", "Li") == []
    assert check_password("al and li went fishing", LIMITS, names=("Al", "", "Li")) == []


def test_three_letter_name_part_refused():
    assert "password_name" in codes(check_password("the kim residence", LIMITS,
                                                   names=("Kim", "", "Li")))


def test_password_containing_practice_name_refused():
    practice = "Riverside Family Medicine"
    for password in ("riverside family medicine rocks", "RiversideFamilyMedicine!!",
                     "I love Riverside Family Medicine"):
        problems = check_password(password, LIMITS, practice_name=practice)
        assert codes(problems) == ["password_practice"], password


def test_password_with_a_word_of_the_practice_name_accepted():
    assert check_password("down by the riverside we sing", LIMITS,
                          practice_name="Riverside Family Medicine") == []


def test_several_problems_reported_together():
    problems = check_password("mariad84 maria riverside family medicine", LIMITS,
                              username="mariad84", names=("Maria",),
                              practice_name="Riverside Family Medicine")
    assert codes(problems) == ["password_username", "password_name", "password_practice"]


def test_password_limits_come_from_configuration():
    limits = Limits(password_min=20, password_max=30)
    assert codes(check_password("a" * 19, limits)) == ["password_short"]
    assert check_password("zebra crossing at midnight", limits) == []
    assert codes(check_password("z" * 31, limits)) == ["password_long"]


# --- Security answers --------------------------------------------------------------------

@pytest.mark.parametrize("typed, expected", [
    ("Lincoln Elementary", "lincoln elementary"),
    ("  LINCOLN   elementary  ", "lincoln elementary"),
    ("Lincoln\tElementary\n", "lincoln elementary"),
    ("Café Olé", "cafe ole"),
    ("CAFÉ   OLÉ", "cafe ole"),
    ("Straße", "strasse"),
    ("", ""),
    ("   ", ""),
])
def test_normalise_answer(typed, expected):
    assert normalise_answer(typed) == expected


def test_normalised_answers_equal_when_only_case_spaces_accents_differ():
    assert normalise_answer("José  Martí") == normalise_answer("jose marti")
    assert normalise_answer("José Martí") != normalise_answer("jose martin")
