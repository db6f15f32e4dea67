"""A console session for server-side tests: log in through the form, keep the session cookie
(httpx's jar keeps no Secure cookie over plain HTTP, so it is sent by hand), read CSRF tokens."""

from __future__ import annotations

import re
from typing import Any

import httpx

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class ConsoleClient:
    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=10, follow_redirects=False)
        self.cookie = ""

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(path, params=params, headers={"Cookie": self.cookie})

    def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        return self.http.post(path, data=data, headers={"Cookie": self.cookie})

    def csrf(self, path: str) -> str:
        match = CSRF.search(self.get(path).text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, username: str, password: str) -> httpx.Response:
        form = self.http.get("/console/login")
        login_cookie = form.cookies["phonograph_login"]
        match = CSRF.search(form.text)
        assert match
        answer = self.http.post(
            "/console/login",
            data={"csrf": match.group(1), "account_sid": username, "auth_token": password, "next": ""},
            headers={"Cookie": f"phonograph_login={login_cookie}"},
        )
        if answer.status_code == 303:
            self.cookie = f"phonograph_console={answer.cookies['phonograph_console']}"
        return answer
