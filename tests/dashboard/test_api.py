"""The JSON API through Flask's test client: documented answers, every refusal, no file leaks."""

from __future__ import annotations

import json

import pytest

from gdashboard.dashboard.method_panels import api_methods
from gdashboard.errors import InputError

SEQUENCE = ("GATAAGGCTTACGT" * 8)[:101]


@pytest.fixture(scope="module")
def client(dashboard_app):
    return dashboard_app.server.test_client()


def test_experiments(client, dashboard_runs):
    response = client.get("/api/experiments")
    assert response.status_code == 200
    (experiment,) = response.get_json()["experiments"]
    assert experiment["name"] == dashboard_runs.experiment and experiment["tf"] == "GATA1"
    assert [m["label"] for m in experiment["models"]] == ["small-rnn", "small-cnn"]
    for model in experiment["models"]:
        assert set(model) == {"label", "preset", "architecture", "test_auc"}
        assert 0 <= model["test_auc"] <= 1


def test_explain(client, dashboard_app, dashboard_runs):
    url = f"/api/experiments/{dashboard_runs.experiment}/explain"
    response = client.post(url, json={"sequences": [SEQUENCE, SEQUENCE.lower()]})
    assert response.status_code == 200
    body = response.get_json()
    assert body["experiment"] == dashboard_runs.experiment and len(body["results"]) == 2
    result = body["results"][0]
    assert result["sequence"] == SEQUENCE
    rnn, cnn = result["models"]["small-rnn"], result["models"]["small-cnn"]
    assert set(rnn) == {"score", "probability", "saliency", "forward", "backward", "ism"}
    assert set(cnn) == {"score", "probability", "saliency", "ism"}
    assert len(rnn["saliency"]) == 101 and len(rnn["ism"]) == 4 and len(rnn["ism"][0]) == 101
    # The numbers are sequence_view's.
    from gdashboard.dashboard.panels import sequence_view

    experiment = dashboard_app.gdashboard_state.experiments[dashboard_runs.experiment]
    view = sequence_view(list(experiment.models().values()), SEQUENCE, tf=None)
    assert rnn["score"] == view["models"]["small-rnn"]["score"]
    assert rnn["saliency"] == view["models"]["small-rnn"]["saliency"].astype(float).tolist()


def test_explain_subset(client, dashboard_runs):
    url = f"/api/experiments/{dashboard_runs.experiment}/explain"
    body = client.post(url, json={"sequences": [SEQUENCE], "models": ["small-cnn"], "methods": ["temporal"]}).get_json()
    assert set(body["results"][0]["models"]) == {"small-cnn"}
    assert set(body["results"][0]["models"]["small-cnn"]) == {"score", "probability"}
    body = client.post(url, json={"sequences": [SEQUENCE], "methods": ["temporal"]}).get_json()
    assert set(body["results"][0]["models"]["small-rnn"]) == {"score", "probability", "forward", "backward"}


@pytest.mark.parametrize(
    "body, status, message",
    [
        ("{not json", 400, "malformed JSON"),
        ("[1, 2]", 400, "must be a JSON object"),
        ('"ACGT"', 400, "must be a JSON object"),
        ("{}", 400, "needs 'sequences'"),
        ('{"sequences": []}', 400, "'sequences' is empty"),
        ('{"sequences": [1]}', 400, "'sequences[0]' must be a string"),
        ('{"sequences": ["ACGT"], "extra": 1}', 400, "unknown key"),
        ('{"sequences": ["ACGTX"]}', 422, "sequence 1: invalid character 'X' at position 5"),
        ('{"sequences": ["ACGT"]}', 422, "sequence 1: the sequence has 4 bases; the models accept 101"),
        ('{"sequences": [""]}', 422, "the sequence is empty"),
        (f'{{"sequences": ["{SEQUENCE}"], "models": ["huge-cnn"]}}', 404, "unknown model 'huge-cnn'"),
        (f'{{"sequences": ["{SEQUENCE}"], "methods": ["gradcam"]}}', 400, "unknown method 'gradcam'"),
        (f'{{"sequences": ["{SEQUENCE}"], "methods": "ism<"}}', 400, "unknown method 'ism<'"),
        ('{"sequences": [' + ",".join(['"A"'] * 101) + "]}", 413, "at most 100"),
    ],
)
def test_bad_requests(client, dashboard_runs, body, status, message):
    response = client.post(
        f"/api/experiments/{dashboard_runs.experiment}/explain", data=body, content_type="application/json"
    )
    assert response.status_code == status
    assert response.is_json
    error = response.get_json()["error"]
    assert message in error and "\n" not in error and "Traceback" not in error


def test_http_errors_are_json(client, dashboard_runs):
    response = client.post("/api/experiments/<script>alert(1)/explain", json={"sequences": [SEQUENCE]})
    assert response.status_code == 404 and response.is_json
    error = response.get_json()["error"]
    assert "unknown experiment" in error
    assert response.headers["Content-Type"].startswith("application/json")
    for path in ("/api/nothing", "/api/", "/api/experiments/x/y/z"):
        response = client.get(path)
        assert response.status_code == 404 and response.is_json, path
    response = client.get(f"/api/experiments/{dashboard_runs.experiment}/explain")
    assert response.status_code == 405 and response.is_json
    response = client.delete("/api/experiments")
    assert response.status_code == 405 and response.is_json
    response = client.post(
        f"/api/experiments/{dashboard_runs.experiment}/explain", data="x" * 1_100_000, content_type="application/json"
    )
    assert response.status_code == 413 and response.is_json


@pytest.mark.parametrize(
    "path",
    [
        "/assets/../../etc/passwd",
        "/assets/%2e%2e%2f%2e%2e%2fetc/passwd",
        "/assets/..%2f..%2f..%2fetc%2fpasswd",
        "/_dash-component-suites/../../x",
        "/_dash-component-suites/dash/..%2f..%2f..%2fetc/passwd",
        "/_dash-component-suites/dash/deps/%2e%2e%2f%2e%2e%2f__init__.py",
        "/_dash-component-suites/plotly/package_data/../../../../etc/passwd",
        "/api/../../etc/passwd",
        "/api/%2e%2e%2f%2e%2e%2fetc/passwd",
    ],
)
def test_path_traversal(client, path):
    response = client.get(path)
    assert response.status_code == 404, path
    assert b"root:" not in response.data and b"import" not in response.data


def test_assets_and_scripts_are_local(client):
    page = client.get("/").get_data(as_text=True)
    assert "unpkg.com" not in page and "cdn" not in page.lower() and "https://" not in page
    assert client.get("/assets/dashboard.css").status_code == 200


def test_serve_refuses_remote_hosts(dashboard_runs):
    from gdashboard.dashboard.app import serve

    for host in ("0.0.0.0", "192.168.1.5", "::", "example.org"):
        with pytest.raises(InputError, match="refusing to serve"):
            serve([dashboard_runs.runs], host=host)


def test_loopback_is_the_default_and_echoes_are_cut_and_never_sniffed(client):
    import inspect

    from gdashboard.cli import serve as serve_command
    from gdashboard.dashboard.api import ECHO_LIMIT
    from gdashboard.dashboard.app import serve

    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"
    assert next(p for p in serve_command.params if p.name == "host").default == "127.0.0.1"
    response = client.post("/api/experiments/<script>" + "x" * 500 + "/explain", json={"sequences": [SEQUENCE]})
    assert response.status_code == 404 and response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert "x" * ECHO_LIMIT not in error and "..." in error  # the echo is cut


def test_a_10_mb_sequence_and_100000_sequences_posted_to_a_real_server_get_413_json(
    dashboard_app, dashboard_runs, serving
):
    import http.client
    from urllib.parse import urlparse

    path = f"/api/experiments/{dashboard_runs.experiment}/explain"

    def post(body: bytes) -> tuple[int, dict]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.putrequest("POST", path)
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders()
        try:
            connection.send(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered before reading the whole body, as it should
        response = connection.getresponse()
        answer = response.status, json.loads(response.read())
        connection.close()
        return answer

    with serving(dashboard_app.server) as url:
        port = urlparse(url).port
        ten_megabytes = json.dumps({"sequences": ["ACGT" * 2_500_000]}).encode()
        status, answer = post(ten_megabytes)
        assert status == 413 and "request body over the limit of 1,000,000 bytes" in answer["error"]
        many = json.dumps({"sequences": ["ACGT"] * 100_000}).encode()  # 800 KB: under the byte limit
        assert len(many) < 1_000_000
        status, answer = post(many)
        assert status == 413 and "at most 100" in answer["error"]
        status, answer = post(json.dumps({"sequences": [SEQUENCE]}).encode())
        assert status == 200  # the server still answers after both


@pytest.mark.parametrize("method", api_methods())
def test_explain_serves_every_per_sequence_method(client, dashboard_app, dashboard_runs, method):
    from gdashboard.dashboard.method_panels import refusal, view_keys

    url = f"/api/experiments/{dashboard_runs.experiment}/explain"
    response = client.post(url, json={"sequences": [SEQUENCE], "methods": [method]})
    assert response.status_code == 200, response.get_json()
    (result,) = response.get_json()["results"]
    experiment = dashboard_app.gdashboard_state.experiments[dashboard_runs.experiment]
    for label, loaded in experiment.models().items():
        reason = refusal(method, loaded.capabilities)
        if reason is None:
            assert set(result["models"][label]) == {"score", "probability", *view_keys(method)}
            assert label not in result["skipped"]
        else:
            assert set(result["models"][label]) == {"score", "probability"}
            assert result["skipped"][label] == {method: reason}


def test_methods_route_and_what_is_not_per_sequence(client, dashboard_runs):
    listed = client.get("/api/methods").get_json()["methods"]
    assert [entry["name"] for entry in listed] == list(api_methods())
    temporal = next(entry for entry in listed if entry["name"] == "temporal")
    assert temporal["keys"] == ["forward", "backward"] and temporal["requires"] == ["recurrent"]
    assert temporal["panel"] and temporal["figure_row"]
    assert not next(entry for entry in listed if entry["name"] == "conv")["panel"]
    url = f"/api/experiments/{dashboard_runs.experiment}/explain"
    response = client.post(url, json={"sequences": [SEQUENCE], "methods": ["classopt"]})
    assert response.status_code == 400 and "classopt explains a model, not a sequence" in response.get_json()["error"]
    body = client.post(url, json={"sequences": [SEQUENCE], "models": ["small-cnn"], "methods": ["ig"]}).get_json()
    assert set(body["results"][0]["models"]["small-cnn"]) == {"score", "probability", "integrated_gradients"}
