"""The whole product on a phone, in the order of the issue: sign in, create a project, upload a sample,
read the analysis, chat a change, generate, watch progress to 100%, play and download the video,
share it and open the share page in a fresh browser, find it in the library, export my data."""

from __future__ import annotations

import re
import zipfile

from playwright.sync_api import expect

from .helpers import RENDER_TIMEOUT_S, sign_in

TITLE = "Launch teaser"


def test_a_phone_user_makes_shares_and_exports_a_video(page, new_context, media, screenshot, tmp_path):
    # Sign in
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    screenshot(page, "01-sign-in")
    sign_in(page, "maker@example.com")
    screenshot(page, "02-projects")

    # Create a project
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Brief (optional)").fill("A punchy teaser for our app launch")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()

    # Upload the generated sample: progress bar to 100%, then the analysis starts by itself
    page.get_by_label("Choose a file for sample video").set_input_files(media["sample"])
    expect(page.get_by_role("progressbar", name="Sample video upload")).to_have_attribute(
        "aria-valuenow", "100"
    )
    expect(page.get_by_text("sample.mp4 uploaded. Analysis started.")).to_be_visible()
    screenshot(page, "03-upload")

    # The analysis: summary, keyframes, shot timeline and palette swatches
    page.get_by_role("link", name="See the analysis").click()
    expect(page.get_by_role("heading", name="Summary")).to_be_visible(timeout=RENDER_TIMEOUT_S * 1000)
    keyframes = page.get_by_role("img", name=re.compile(r"Keyframe of shot \d+"))
    expect(keyframes.first).to_be_visible()
    assert (
        page.evaluate(
            "() => [...document.images].filter((i) => i.alt.startsWith('Keyframe')"
            " && i.naturalWidth > 0).length"
        )
        >= 1
    ), "keyframe images did not load"
    expect(page.get_by_role("img", name=re.compile(r"Shot timeline: \d+ shots"))).to_be_visible()
    expect(page.get_by_role("list", name="Dominant colours").get_by_role("listitem").first).to_be_visible()
    screenshot(page, "04-analysis")

    # The plan, then the chat makes it 20 seconds as a new version
    page.get_by_role("link", name="Next: the plan").click()
    expect(page.get_by_role("heading", name="Plan version 1")).to_be_visible()
    expect(page.get_by_role("list", name="Segments").get_by_role("listitem").first).to_be_visible()
    screenshot(page, "05-plan")
    page.get_by_label("Message to the assistant").fill("make it 20 seconds")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Plan version 2")).to_be_visible()
    expect(page.locator(".plan-stats")).to_contain_text("20 s")
    expect(page.get_by_role("list", name="Conversation")).to_contain_text("Saved as version 2")
    expect(page.get_by_role("list", name="Plan versions")).to_contain_text("Version 2")
    screenshot(page, "06-chat")

    # Generate and watch the progress reach 100%
    page.get_by_role("button", name="Generate the video").click()
    expect(page.get_by_role("progressbar", name="Video progress")).to_be_visible()
    screenshot(page, "07-generating")
    page.wait_for_function(
        "() => /^(Done|Failed|Cancelled)/.test(document.querySelector('.stage')?.textContent)",
        timeout=RENDER_TIMEOUT_S * 1000,
    )
    stage = page.locator(".stage").text_content()
    assert stage.startswith("Done"), (
        f"the render ended '{stage}': {page.get_by_role('alert').all_text_contents()}"
    )
    expect(page.get_by_role("progressbar", name="Video progress")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_role("heading", name="Your video is ready")).to_be_visible()
    screenshot(page, "08-generated")

    # Play the 9:16 video
    page.get_by_role("link", name="Watch the video").click()
    video = page.locator("video")
    expect(video).to_be_visible()
    page.wait_for_function("() => document.querySelector('video').readyState >= 2", timeout=30_000)
    page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; return v.play(); }")
    page.wait_for_function("() => document.querySelector('video').currentTime > 0", timeout=30_000)
    size = page.evaluate(
        "() => { const v = document.querySelector('video'); return [v.videoWidth, v.videoHeight]; }"
    )
    assert size[0] * 16 == size[1] * 9, f"the video is {size[0]}x{size[1]}, not 9:16"
    expect(page.get_by_role("heading", name="Quality checks")).to_be_visible()
    expect(page.get_by_text("All checks passed.")).to_be_visible()
    star = page.get_by_role("button", name=f"Favourite {TITLE}")
    star.click()
    expect(star).to_have_attribute("aria-pressed", "true")
    screenshot(page, "09-video")

    # Download it
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".mp4")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes()[4:8] == b"ftyp", "the download is not an MP4 file"

    # Share it, copy the link, and open it in a fresh context (no session)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Create share link").click()
    link = page.get_by_label("Share link")
    expect(link).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/s/.+"))
    share_url = link.input_value()
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#toast")).to_have_text("Link copied.")
    assert page.evaluate("() => navigator.clipboard.readText()") == share_url
    screenshot(page, "10-share")
    stranger = new_context().new_page()
    response = stranger.goto(share_url)
    assert response is not None and response.status == 200
    expect(stranger.locator("video")).to_be_visible()
    screenshot(stranger, "11-share-page")

    # Find it in the library
    page.get_by_role("link", name="Library").click()
    videos = page.get_by_role("list", name="Videos")
    page.get_by_label("Search videos").fill("no such video")
    expect(videos).to_contain_text("No videos match.")
    page.get_by_label("Search videos").fill("Launch")
    expect(page.get_by_text("1 video", exact=True)).to_be_visible()
    expect(videos.get_by_role("link", name=re.compile(TITLE))).to_be_visible()
    page.get_by_text("Favourites only").click()
    expect(videos.get_by_role("link", name=re.compile(TITLE))).to_be_visible()
    screenshot(page, "12-library")

    page.get_by_role("link", name="Analytics").click()
    expect(page.get_by_text("Videos made")).to_be_visible()
    screenshot(page, "13-analytics")

    # Export my data
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    with page.expect_download() as export_info:
        page.get_by_role("button", name="Export my data").click()
    export = tmp_path / "export.zip"
    export_info.value.save_as(export)
    assert zipfile.is_zipfile(export), "the export is not a zip file"
    screenshot(page, "14-settings")
