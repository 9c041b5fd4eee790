Attribute VB_Name = "SalesgoalRibbon"
Option Explicit

' Every button of the Sales Goals tab calls this one callback with itself; Python maps the
' control id to the command it runs (salesgoal_xl/addin/ribbon.py, on_action).
Public Sub OnAction(control As IRibbonControl)
    RunPython "import salesgoal_xl.addin.ribbon as r; r.on_action('" & control.Id & "')"
End Sub
