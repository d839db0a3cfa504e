"""Uploads from the phone: progress bars for every kind, and the server's refusal shown plainly."""

from __future__ import annotations

from playwright.sync_api import expect

from .helpers import sign_in


def open_new_project(page, email: str, title: str) -> None:
    sign_in(page, email)
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()


def test_a_text_file_named_mp4_shows_the_servers_message(page, screenshot):
    open_new_project(page, "uploader@example.com", "Wrong file")
    page.get_by_label("Choose a file for sample video").set_input_files(
        {"name": "notes.mp4", "mimeType": "video/mp4", "buffer": b"these are meeting notes, not a video\n"}
    )
    alert = page.get_by_role("alert").filter(has_text="not a media file")
    expect(alert).to_be_visible()
    expect(alert).to_have_text(
        "This file is not a media file we recognise; upload an MP4, MOV or WebM video."
    )
    screenshot(page, "upload-rejected")


def test_character_image_and_audio_upload_with_progress(page, media, screenshot):
    open_new_project(page, "uploader2@example.com", "With extras")
    page.get_by_label("Choose a file for character image").set_input_files(media["image"])
    expect(page.get_by_role("progressbar", name="Character image (optional) upload")).to_have_attribute(
        "aria-valuenow", "100"
    )
    expect(page.get_by_text("character.png uploaded.")).to_be_visible()
    page.get_by_label("Choose a file for audio").set_input_files(media["audio"])
    expect(page.get_by_text("tone.wav uploaded.")).to_be_visible()
    page.reload()
    expect(page.get_by_text("character.png · ")).to_be_visible()
    expect(page.get_by_text("tone.wav · ")).to_be_visible()
    screenshot(page, "uploads-extras")
