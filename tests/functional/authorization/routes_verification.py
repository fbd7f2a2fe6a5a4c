"""Request generators of e-mail verification: asking for a link, and following one."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.support.wsgi_client import WsgiResponse

from .plans import Plan, Step, expect_equal, first, only

MAILS_PER_HOUR = 5  # verification.MAILS_PER_HOUR, registration's included


def request_verification(step: Step) -> Plan:
    world, actor = step.world, step.actor
    status = first(409 if actor.verified else None, 429 if actor.verification_mails >= MAILS_PER_HOUR else None, 202)

    def apply(response: WsgiResponse) -> None:
        newest = world.mailed_links(actor.email)[-1]
        world.add_verification_link(actor, parse_qs(urlsplit(newest).query)["token"][0])

    def verify(response: WsgiResponse) -> None:
        expect_equal("where the link went", response.json(), {"email": actor.email})

    return Plan("POST", "/api/auth/verification", only(status), apply=apply, verify=verify)


def verify_email(step: Step) -> Plan:
    """A link someone was mailed (whoever follows it: the token is the credential), one that
    was never sent, or no token at all."""
    world = step.world
    links = list(world.verification_links.values())
    roll = step.rng.random()
    link = step.pick(links) if links and roll < 0.7 else None
    if link is not None:
        token, status = link.token, 410 if link.used else 200
    elif roll < 0.9:
        token, status = f"{step.rng.getrandbits(256):064x}"[:43], 400
    else:
        token, status = "short", 422

    def apply(response: WsgiResponse) -> None:
        assert link is not None
        world.verify(link)

    def verify(response: WsgiResponse) -> None:
        assert link is not None
        expect_equal("verified", response.json(), {"email": world.by_id[link.user].email, "email_verified": True})

    return Plan(
        "POST",
        "/api/auth/verify-email",
        only(status),
        json={"token": token},
        authenticated=False,
        apply=apply,
        verify=verify,
        reader=None,
    )
