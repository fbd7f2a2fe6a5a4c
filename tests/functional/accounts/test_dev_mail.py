"""The local mailbox at /__dev/mail: every e-mail the stack sent, newest first, as an HTML page
with everything escaped and as JSON; a thing of the local gateway only, never of the catalog
or the manifests."""

from __future__ import annotations

import json
import re
import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest
import requests

from functions.catalog import FUNCTIONS
from functions.devserver.gateway import Gateway
from tests.functional.api.conftest import PASSWORD
from tests.functional.robustness.conftest import local_stack
from tests.support.wsgi_client import WsgiClient

REPO_ROOT = Path(__file__).resolve().parents[3]
# A fresh stack's first requests load its functions' clients (boto3 for the mail): no latency test here.
STACK_TIMEOUT = 30.0
HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'


@pytest.fixture
def stack(gateway, mailbox) -> WsgiClient:
    """Every catalog function behind a gateway that shows what the mailer keeps."""
    return WsgiClient(Gateway(gateway.mounted, None, mail_directory=mailbox.directory))


def _items(client: WsgiClient) -> list[dict]:
    response = client.get("/__dev/mail?format=json")
    assert response.status_code == 200, response.text
    assert response.header("Content-Type") == "application/json"
    return response.json()["items"]


def test_the_json_lists_every_message_newest_first(stack, make_account):
    owner = make_account(verified=False)  # registering mails a verification link
    workspace = owner.client.post("/api/workspaces", json={"name": "Allotment"}).json()
    invited = f"dev-mail-{uuid.uuid4().hex[:8]}@example.com"
    owner.client.post(f"/api/workspaces/{workspace['id']}/invitations", json={"email": invited, "role": "viewer"})

    items = _items(stack)

    assert [(item["to"], item["subject"]) for item in items] == [
        (invited, "Invitation to “Allotment” on TaskForge"),
        (owner.email, "Confirm your e-mail address for TaskForge"),
    ]
    for item in items:
        assert set(item) == {"to", "subject", "text", "html", "sent_at"}
        assert item["html"] is None  # the stack's messages are plain text
    assert "http://localhost:8000/invitations/" in items[0]["text"]
    assert "http://localhost:8000/verify-email?token=" in items[1]["text"]
    assert items[0]["sent_at"] >= items[1]["sent_at"]  # ISO 8601 in UTC: the text sorts as the time


def test_the_page_escapes_what_users_chose(stack, make_account):
    owner = make_account(display_name=HOSTILE)
    workspace = owner.client.post("/api/workspaces", json={"name": HOSTILE}).json()
    owner.client.post(
        f"/api/workspaces/{workspace['id']}/invitations",
        json={"email": f"escaped-{uuid.uuid4().hex[:8]}@example.com", "role": "editor"},
    )

    page = stack.get("/__dev/mail")

    assert page.status_code == 200
    assert page.header("Content-Type") == "text/html; charset=utf-8"
    assert "script-src" not in page.header("Content-Security-Policy")
    assert page.header("Content-Security-Policy").startswith("default-src 'none'")
    assert "<script" not in page.text
    assert "<img" not in page.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in page.text
    # The link in the message can be followed from the page.
    link = re.search(r"http://\S+", _items(stack)[0]["text"])
    assert link is not None
    assert f'<a href="{link.group(0)}" rel="noreferrer">' in page.text


def test_an_html_part_is_given_as_source_and_escaped_on_the_page(mailbox):
    client = WsgiClient(Gateway([], None, mail_directory=mailbox.directory))
    mailbox.directory.mkdir(parents=True, exist_ok=True)
    message = EmailMessage()
    message["To"] = "html@example.com"
    message["Subject"] = "Both parts"
    message.set_content("the text part")
    message.add_alternative('<p onclick="steal()">the <b>HTML</b> part</p>', subtype="html")
    (mailbox.directory / "1700000000000000000-abcdef01.eml").write_bytes(bytes(message))

    [item] = _items(client)
    page = client.get("/__dev/mail")

    assert item["text"].strip() == "the text part"
    assert item["html"].strip() == '<p onclick="steal()">the <b>HTML</b> part</p>'
    assert item["sent_at"] == "2023-11-14T22:13:20+00:00"  # no Date header: the file's name says when
    assert "&lt;p onclick=&quot;steal()&quot;&gt;the &lt;b&gt;HTML&lt;/b&gt; part&lt;/p&gt;" in page.text
    assert "<b>HTML</b>" not in page.text


def test_an_empty_mailbox_is_an_empty_list(tmp_path):
    client = WsgiClient(Gateway([], None, mail_directory=tmp_path / "never-written"))

    assert _items(client) == []
    assert "No e-mail yet" in client.get("/__dev/mail").text


def test_only_this_machine_may_read_it(mailbox):
    gateway = Gateway([], None, mail_directory=mailbox.directory)
    captured: dict = {}

    def start_response(status, headers, *rest):
        captured["status"] = status

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/__dev/mail",
        "RAW_URI": "/__dev/mail?format=json",
        "QUERY_STRING": "format=json",
        "REMOTE_ADDR": "192.0.2.10",
    }
    body = b"".join(gateway(environ, start_response))

    assert captured["status"].startswith("403")
    assert json.loads(body)["status"] == 403
    assert WsgiClient(gateway).post("/__dev/mail").status_code == 405


def test_it_is_nowhere_but_in_the_local_gateway(client):
    # No catalog route, so no ingress route and no function serves it.
    routes = [route for function in FUNCTIONS for route in function.routes]
    assert routes
    assert not [route for route in routes if "__dev" in route]
    for folder in ("rendered", "base", "overlays"):
        files = list((REPO_ROOT / "knative" / folder).rglob("*.yaml"))
        assert files
        assert not [path for path in files if "__dev" in path.read_text()]
    # A gateway not given a mail directory (as the tests' and any other) serves nothing there.
    assert client.get("/__dev/mail").status_code == 404


def test_make_dev_shows_what_it_sent(tmp_path, database_url):
    email = f"stack-{uuid.uuid4().hex[:8]}@example.com"
    with local_stack(tmp_path, DATABASE_URL=database_url) as base_url:
        registered = requests.post(
            base_url + "/api/auth/register", json={"email": email, "password": PASSWORD}, timeout=STACK_TIMEOUT
        )
        assert registered.status_code == 201, registered.text
        listed = requests.get(base_url + "/__dev/mail", params={"format": "json"}, timeout=STACK_TIMEOUT)
        page = requests.get(base_url + "/__dev/mail", timeout=STACK_TIMEOUT)

    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert (item["to"], item["subject"]) == (email, "Confirm your e-mail address for TaskForge")
    assert page.status_code == 200
    assert email in page.text
