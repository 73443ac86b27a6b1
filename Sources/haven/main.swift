print("haven")
