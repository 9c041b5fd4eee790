Attribute VB_Name = "SalesgoalRibbon"
Option Explicit

' Every button of the Sales Goals tab calls this one callback with itself; Python maps the
' control id to the command it runs (salesgoal_xl/addin/ribbon.py, on_action). The tag is the
' language the add-in was built in, for its dialogs and for a new plan.
Public Sub OnAction(control As IRibbonControl)
    RunPython "import salesgoal_xl.addin.ribbon as r; r.on_action('" & control.Id & "', language='" & control.Tag & "')"
End Sub
