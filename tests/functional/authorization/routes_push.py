"""Request generators of the caller's subscribed browsers (Web Push): a user's own alone."""

from __future__ import annotations

import uuid

from tests.support.wsgi_client import WsgiResponse

from .model import marker
from .plans import Plan, Step, expect_equal, first, only

# An address literal resolves to itself: a push service "on the public internet" without DNS.
PUSH_SERVICE = "https://93.184.215.14/push/"
P256DH = "BAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8"
AUTH = "AAECAwQFBgcICQoLDA0ODw"
MAX_PER_USER = 20  # functions/domain/push/subscriptions.py


def create_push_subscription(step: Step) -> Plan:
    """A new browser, or (now and then) one another user subscribed: it changes hands."""
    world, actor = step.world, step.actor
    known = list(world.push_subscriptions.items())
    taken = step.pick(known) if known and step.chance(0.25) else None
    endpoint = taken[1][1] if taken else f"{PUSH_SERVICE}{marker(step.rng.getrandbits(40))}"
    owned = sum(1 for user, _ in world.push_subscriptions.values() if user == actor.id)
    mine = taken is not None and taken[1][0] == actor.id
    status = first(409 if owned >= MAX_PER_USER and not mine else None, 200 if taken else 201)

    def apply(response: WsgiResponse) -> None:
        subscription_id = response.json()["id"]
        world.push_subscriptions[subscription_id] = (actor.id, endpoint)
        world.remember(("push-subscription", subscription_id), subscription_id, endpoint.rsplit("/", 1)[1])

    def verify(response: WsgiResponse) -> None:
        if taken:
            expect_equal("the browser's subscription", response.json()["id"], taken[0])

    return Plan(
        "POST",
        "/api/push-subscriptions",
        only(status),
        json={"endpoint": endpoint, "keys": {"p256dh": P256DH, "auth": AUTH}},
        apply=apply,
        verify=verify,
        # The answer names the subscription it now is: the actor's, once it has changed hands.
        history=frozenset({taken[0], endpoint.rsplit("/", 1)[1]}) if taken else frozenset(),
    )


def list_push_subscriptions(step: Step) -> Plan:
    world, actor = step.world, step.actor

    def verify(response: WsgiResponse) -> None:
        listed = sorted(item["id"] for item in response.json()["items"])
        mine = sorted(key for key, (user, _) in world.push_subscriptions.items() if user == actor.id)
        expect_equal(f"push subscriptions of {actor.key}", listed, mine)

    return Plan("GET", "/api/push-subscriptions", only(200), verify=verify)


def delete_push_subscription(step: Step) -> Plan:
    world, actor = step.world, step.actor
    known = list(world.push_subscriptions)
    subscription_id = step.pick(known) if known and step.chance(0.8) else str(uuid.uuid4())
    owner = world.push_subscriptions.get(subscription_id, ("", ""))[0]

    def apply(response: WsgiResponse) -> None:
        world.push_subscriptions.pop(subscription_id, None)

    return Plan(
        "DELETE",
        f"/api/push-subscriptions/{subscription_id}",
        only(204 if owner == actor.id else 404),
        apply=apply,
        reader=None,
    )
