"""POST /api/auth/register: create an account. 201 with the user; 409 when the e-mail is taken.

`timezone` (the browser's, optional) becomes the account's zone, UTC when it is left out;
a zone the server does not know is 422.
"""

from functions.domain.auth import auth, verification
from functions.domain.auth.models import RegisterRequest, User
from functions.platform.db import Database
from functions.platform.function import api

app, settings, handler = api(__name__)
database = Database.for_settings(settings)


@app.post("/api/auth/register", status_code=201, tags=["auth"], summary="Create an account")
def post_register(body: RegisterRequest) -> User:
    user = auth.register(database, body.email, body.password, body.display_name, body.timezone)
    # The account exists whether or not the e-mail goes out; the user can ask for another.
    verification.after_registration(database, settings, user["id"])
    return User.from_row(user)
