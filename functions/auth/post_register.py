"""POST /api/auth/register: create an account. 201 with the user; 409 when the e-mail is taken."""

from aws_lambda_powertools import Logger

from functions.domain.auth import auth, verification
from functions.domain.auth.models import RegisterRequest, User
from functions.platform.api import api_handler, create_api
from functions.platform.db import Database
from functions.platform.settings import Settings

settings = Settings.from_env()
database = Database.for_settings(settings)
logger = Logger(service="auth")
app = create_api(settings)


@app.post("/api/auth/register", status_code=201, tags=["auth"], summary="Create an account")
def post_register(body: RegisterRequest) -> User:
    user = auth.register(database, body.email, body.password, body.display_name)
    # The account exists whether or not the e-mail goes out; the user can ask for another.
    verification.after_registration(database, settings, user["id"])
    return User.from_row(user)


handler = api_handler(app, logger, "register")
