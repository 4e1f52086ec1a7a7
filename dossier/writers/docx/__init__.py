"""The Word review copy, through Pandoc's docx writer and the theme's reference document."""
