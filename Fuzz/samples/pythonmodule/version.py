from datetime import datetime
version = "1.0.1700000000"
builddate = datetime.fromisoformat("2023-11-14T22:13:20")
