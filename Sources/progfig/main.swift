print("progfig")
