"""Password hashing and policy (no database, no Qt)."""

from __future__ import annotations

import pytest

from desktop.security.passwords import HashParams, PasswordHasher, PasswordPolicyError, check_policy

LIGHT = HashParams(time_cost=1, memory_cost_kib=8, parallelism=1)


def test_hash_is_salted_argon2id_and_verifies():
    hasher = PasswordHasher(LIGHT)
    first, second = hasher.hash("Counter3pass"), hasher.hash("Counter3pass")
    assert first.startswith("$argon2id$")
    assert first != second  # a fresh salt each time
    assert hasher.verify(first, "Counter3pass")
    assert not hasher.verify(first, "counter3pass")


def test_default_parameters_are_memory_hard():
    params = PasswordHasher().params
    assert params.memory_cost_kib >= 64 * 1024
    assert params.time_cost >= 2


def test_hash_made_with_other_parameters_needs_rehash():
    old = PasswordHasher(LIGHT).hash("Counter3pass")
    stronger = PasswordHasher(HashParams(time_cost=2, memory_cost_kib=16, parallelism=1))
    assert stronger.needs_rehash(old)
    assert stronger.verify(old, "Counter3pass")  # old hashes keep working until upgraded
    assert not stronger.needs_rehash(stronger.hash("Counter3pass"))


def test_damaged_stored_hash_never_lets_anyone_in():
    hasher = PasswordHasher(LIGHT)
    assert not hasher.verify("$argon2id$garbage", "anything1")
    assert not hasher.verify("", "")
    assert hasher.needs_rehash("not a hash")


@pytest.mark.parametrize("password, fragment", [
    ("ab12", "至少需要 8 位"),
    ("abcdefghij", "字母和数字"),
    ("1234567890", "字母和数字"),
    (" abcd12345", "首尾"),
    ("clerk01abc9", "用户名"),
])
def test_policy_rejects_with_a_chinese_reason(password, fragment):
    with pytest.raises(PasswordPolicyError) as err:
        check_policy(password, username="clerk01")
    assert fragment in err.value.message_zh


def test_policy_accepts_letters_and_digits():
    check_policy("Window2024", username="clerk01")
