"""A small, ordinary Chalice app: nothing in it knows which host serves it."""

import hashlib

from chalice import Chalice, NotFoundError, Response

app = Chalice(app_name="demo_app")

BLOB = bytes(range(256)) * 4  # every byte value, none of it valid UTF-8 as a whole


@app.middleware("http")
def tag_responses(event, get_response):
    response = get_response(event)
    response.headers["X-Demo-App"] = "chalice"
    return response


@app.route("/items/{item_id}", methods=["GET"])
def get_item(item_id):
    request = app.current_request
    return {"item_id": item_id, "resource": request.path, "uri_params": request.uri_params}


@app.route("/items", methods=["POST"])
def create_item():
    return {"parsed": app.current_request.json_body}


@app.route("/missing/{item_id}", methods=["GET"])
def missing_item(item_id):
    raise NotFoundError(f"no item {item_id}")


@app.route("/search", methods=["GET"])
def search():
    params = app.current_request.query_params
    if params is None:
        return {"query_params": None}
    return {"tag": params.getlist("tag"), "q": params.get("q"), "keys": sorted(params.keys())}


@app.route("/blobs/{name}", methods=["PUT"], content_types=["application/octet-stream"])
def put_blob(name):
    body = app.current_request.raw_body
    return {"name": name, "length": len(body), "sha256": hashlib.sha256(body).hexdigest()}


@app.route("/blobs/{name}", methods=["GET"])
def get_blob(name):
    return Response(body=BLOB, headers={"Content-Type": "image/png", "X-Blob-Name": name})


@app.route("/notes", methods=["POST"], content_types=["text/plain"])
def post_note():
    text = app.current_request.raw_body.decode("utf-8")
    return Response(body=text.upper(), headers={"Content-Type": "text/plain; charset=utf-8"})


@app.route("/echo-headers", methods=["GET"])
def echo_headers():
    value = app.current_request.headers.get("x-custom")
    return Response(body={"x_custom": value}, headers={"X-Echo-Custom": value or "absent"})


@app.route("/orders", methods=["POST"])
def create_order():
    order = app.current_request.json_body or {}
    return Response(
        body={"id": "order-1", **order},
        status_code=201,
        headers={"Location": "/orders/order-1", "Content-Type": "application/json"},
    )


@app.route("/teapot", methods=["GET"])
def teapot():
    return Response(body="short and stout", status_code=418, headers={"Content-Type": "text/plain; charset=utf-8"})


@app.route("/multi", methods=["GET"])
def multi():
    return Response(
        body={"ok": True},
        headers={
            "Content-Type": "application/json",
            "Set-Cookie": ["first=1; Path=/", "second=2; Path=/"],
            "X-Multi": ["one", "two"],
        },
    )


@app.route("/boom", methods=["GET"])
def boom():
    raise RuntimeError("the view failed")


@app.route("/unicode", methods=["GET"])
def unicode_text():
    return {"greeting": "héllo wörld ✓ 日本語", "emoji": "🍵"}
